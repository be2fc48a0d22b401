using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrmPerf.IntegrationTests.Routing;

/// <summary>Runs the routing health checks of a host and waits, with a deadline, for one to report a status.</summary>
internal static class RoutingHealth
{
    /// <summary>Registers both routing checks under their default names.</summary>
    public static void AddChecks(IServiceCollection services) => services.AddHealthChecks().AddOrmPerfPrimary().AddOrmPerfReplicas();

    /// <summary>Polls the check named <paramref name="name"/> until it reports <paramref name="status"/>; fails after the deadline.</summary>
    public static Task<HealthReportEntry> WaitForAsync(IServiceProvider services, string name, HealthStatus status, TimeSpan deadline) =>
        WaitForAsync(services, name, entry => entry.Status == status, deadline);

    /// <summary>Polls the check named <paramref name="name"/> until its entry satisfies <paramref name="until"/>; fails after the deadline.</summary>
    public static async Task<HealthReportEntry> WaitForAsync(IServiceProvider services, string name, Func<HealthReportEntry, bool> until, TimeSpan deadline)
    {
        var checks = services.GetRequiredService<HealthCheckService>();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var report = await checks.CheckHealthAsync(registration => registration.Name == name, TestContext.Current.CancellationToken);
            var entry = report.Entries[name];
            if (until(entry))
            {
                return entry;
            }

            Assert.True(clock.Elapsed < deadline, $"{name} did not reach the expected state within {deadline}: {entry.Status}, {entry.Description}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The state the replicas check reports for one replica.</summary>
    public static object? StateOf(HealthReportEntry replicas, string replica) =>
        Assert.IsAssignableFrom<IReadOnlyDictionary<string, object>>(replicas.Data[replica])["state"];
}
