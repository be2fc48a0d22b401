using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace OrmPerf.Redis.Connections;

/// <summary>
/// OrmPerf.Redis's own connection to Redis: created on first use (never in a constructor) from
/// <see cref="RedisCacheOptions.Configuration"/>, or taken from <see cref="RedisCacheOptions.ConnectionMultiplexerFactory"/>.
/// Not registered as <see cref="IConnectionMultiplexer"/> in the container, so no other code reuses it by accident;
/// disposed with the container only when OrmPerf created it. Thread-safe.
/// </summary>
internal sealed class RedisConnection(IOptionsMonitor<RedisCacheOptions> options, string optionsName) : IDisposable
{
    private readonly Lazy<(IConnectionMultiplexer Multiplexer, bool Owned)> _connection = new(() => Connect(options.Get(optionsName)), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The multiplexer; the first read connects (with <c>AbortOnConnectFail=false</c>, it returns even if Redis is down).</summary>
    public IConnectionMultiplexer Multiplexer => _connection.Value.Multiplexer;

    /// <summary>Whether the multiplexer exists yet (the health check reports on it without creating it).</summary>
    public bool IsCreated => _connection.IsValueCreated;

    public void Dispose()
    {
        if (_connection.IsValueCreated && _connection.Value.Owned)
        {
            _connection.Value.Multiplexer.Dispose();
        }
    }

    private static (IConnectionMultiplexer, bool) Connect(RedisCacheOptions options)
    {
        if (options.ConnectionMultiplexerFactory is { } factory)
        {
            return (factory() ?? throw new InvalidOperationException("RedisCacheOptions.ConnectionMultiplexerFactory returned null; expected a connection multiplexer."), false);
        }

        var configuration = ConfigurationOptions.Parse(options.Configuration);
        configuration.AbortOnConnectFail = false;
        // Queueing commands while disconnected would make every call wait for its timeout; failing at once is cheaper.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        return (ConnectionMultiplexer.Connect(configuration), true);
    }
}
