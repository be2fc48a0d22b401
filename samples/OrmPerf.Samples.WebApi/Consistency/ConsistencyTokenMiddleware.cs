using OrmPerf.Routing;
using OrmPerf.Routing.Consistency;

namespace OrmPerf.Samples.WebApi.Consistency;

/// <summary>
/// Read-your-writes across requests. A request that carries a consistency token, in the <see cref="Header"/> header or
/// the <see cref="Cookie"/> cookie, has its reads routed to a replica only once that replica has replayed the token's
/// write (else to the primary). A response whose request wrote, or carried a token, returns the latest token in both.
/// </summary>
internal sealed partial class ConsistencyTokenMiddleware(RequestDelegate next, ILogger<ConsistencyTokenMiddleware> logger)
{
    /// <summary>The request and response header holding the token's text.</summary>
    public const string Header = "X-Consistency-Token";

    /// <summary>The cookie holding the token's text, for browsers.</summary>
    public const string Cookie = "ormperf-consistency";

    // Long enough for any replica within the lag limit to replay the write; after it the token changes nothing.
    private static readonly TimeSpan CookieLifetime = TimeSpan.FromMinutes(5);

    public async Task InvokeAsync(HttpContext context, IConnectionRouter router)
    {
        foreach (var text in Incoming(context.Request))
        {
            ConsistencyToken token;
            try
            {
                token = ConsistencyToken.Parse(text);
            }
            catch (FormatException error)
            {
                // The message quotes the text (shortened) and shows the expected form.
                await Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: $"{Header} / {Cookie}: {error.Message}").ExecuteAsync(context);
                return;
            }

            router.Require(token);
        }

        context.Response.OnStarting(() => AddTokenAsync(context, router));
        await next(context);
    }

    private static IEnumerable<string> Incoming(HttpRequest request)
    {
        foreach (var header in request.Headers[Header])
        {
            if (!string.IsNullOrEmpty(header))
            {
                yield return header;
            }
        }

        if (request.Cookies.TryGetValue(Cookie, out var cookie) && !string.IsNullOrEmpty(cookie))
        {
            yield return cookie;
        }
    }

    private async Task AddTokenAsync(HttpContext context, IConnectionRouter router)
    {
        ConsistencyToken? token;
        try
        {
            token = await router.GetConsistencyTokenAsync(context.RequestAborted);
        }
        catch (Exception error) when (error is Npgsql.NpgsqlException or TimeoutException)
        {
            // The write is committed; only its position could not be read. The client's next reads may be stale, which
            // is better than failing a request that succeeded.
            LogTokenUnavailable(logger, error);
            return;
        }

        if (token is { } value)
        {
            var text = value.ToString();
            context.Response.Headers[Header] = text;
            context.Response.Cookies.Append(Cookie, text, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Lax,
                MaxAge = CookieLifetime,
                IsEssential = true,
            });
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "The request's consistency token could not be read from the primary; the response carries none.")]
    private static partial void LogTokenUnavailable(ILogger logger, Exception error);
}
