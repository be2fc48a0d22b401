using System.Diagnostics;

namespace OrmPerf.Routing.Diagnostics;

/// <summary>
/// The <see cref="RoutingDiagnostics.OpenSpan"/> of a routed open. Started inside the async method that awaits the open,
/// so <see cref="Activity.Current"/> is the span for the routing code below it and is restored for the caller. Thread-safe.
/// </summary>
internal static class RoutingSpans
{
    private const string ReadIntent = "read";
    private const string WriteIntent = "write";

    /// <summary>Whether anyone listens; without a listener no span is started and opens take their untraced path.</summary>
    public static bool Enabled => RoutingDiagnostics.ActivitySource.HasListeners();

    /// <summary>Starts the span of an open for <paramref name="intent"/>; null when no listener samples it.</summary>
    public static Activity? Start(Intent intent)
    {
        var span = RoutingDiagnostics.ActivitySource.StartActivity(RoutingDiagnostics.OpenSpan, ActivityKind.Internal);
        span?.SetTag(RoutingDiagnostics.DbSystemNameTag, RoutingDiagnostics.DbSystemName);
        span?.SetTag(RoutingDiagnostics.IntentTag, intent == Intent.Write ? WriteIntent : ReadIntent);
        return span;
    }

    /// <summary>Tags the current open's span with the reason its read went to the primary, when one is being traced.</summary>
    public static void Reason(string reason)
    {
        if (Activity.Current is { OperationName: RoutingDiagnostics.OpenSpan } span && span.Source == RoutingDiagnostics.ActivitySource)
        {
            span.SetTag(RoutingDiagnostics.ReasonTag, reason);
        }
    }

    /// <summary>Tags the span with the server the connection opened on.</summary>
    public static void Opened(Activity? span, string target) => span?.SetTag(RoutingDiagnostics.TargetTag, target);

    /// <summary>Marks the span failed with the exception's type, never its message (it may carry data).</summary>
    public static void Failed(Activity? span, Exception exception)
    {
        span?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        span?.SetTag(RoutingDiagnostics.ErrorTypeTag, exception.GetType().FullName);
    }
}
