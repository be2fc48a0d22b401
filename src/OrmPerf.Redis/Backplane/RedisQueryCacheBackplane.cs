using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NpgsqlTypes;
using OrmPerf.Caching;
using OrmPerf.Redis.Connections;
using OrmPerf.Redis.Diagnostics;
using StackExchange.Redis;

namespace OrmPerf.Redis.Backplane;

/// <summary>
/// The query cache's backplane on a Redis pub/sub channel (<c>&lt;prefix&gt;invalidations</c>). A message is JSON:
/// <c>{"node":"…","remove":"&lt;key id&gt;"}</c> or <c>{"node":"…","tags":["…"],"lsn":&lt;WAL position of the write, when known&gt;}</c>;
/// a node ignores its own. The position lets a receiving node's fills of those tags demand the write, as the sender's do.
/// </summary>
/// <remarks>
/// <para>Publishing fails open (see <see cref="RedisCalls"/>): a message that cannot be sent is dropped, so a node that
/// was cut off cannot hear it: when its subscription comes back (StackExchange.Redis subscribes again by itself), it
/// evicts its whole in-memory cache, and tag invalidation times kept in Redis guard what it reads from Redis. While it
/// is cut off, <see cref="LocalFreshnessLimit"/> keeps what the cache stores in memory fresh only briefly.</para>
/// <para>Thread-safe; messages are applied on StackExchange.Redis's threads.</para>
/// </remarks>
internal sealed class RedisQueryCacheBackplane : IQueryCacheBackplane, IDisposable
{
    private readonly RedisCalls _calls;
    private readonly ILogger _logger;
    private readonly RedisChannel _channel;
    private readonly RedisKeys _keys;
    private readonly TimeSpan _tagRetention;
    private readonly TimeProvider _time;
    private readonly TimeSpan _disconnectedL1Duration;
    private readonly string _node = Guid.NewGuid().ToString("N");
    private IQueryCacheBackplaneReceiver? _receiver;
    private ISubscriber? _subscriber;

    public RedisQueryCacheBackplane(RedisCalls calls, RedisCacheOptions options, TimeProvider timeProvider, ILogger<RedisQueryCacheBackplane>? logger = null)
    {
        _calls = calls;
        _time = timeProvider;
        _keys = new RedisKeys(options.KeyPrefix);
        _tagRetention = options.TagRetention;
        _disconnectedL1Duration = options.DisconnectedL1Duration;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _channel = _keys.Channel;
    }

    /// <summary>
    /// <see cref="RedisCacheOptions.DisconnectedL1Duration"/> while the subscription is down, no limit otherwise (nor
    /// before <see cref="Attach"/>, which the cache calls before it stores anything).
    /// </summary>
    public TimeSpan? LocalFreshnessLimit => _subscriber is not { } subscriber || subscriber.IsConnected(_channel) ? null : _disconnectedL1Duration;

    /// <summary>Whether the backplane's subscription is attached and connected, for the health check.</summary>
    public bool? IsSubscribed => _subscriber?.IsConnected(_channel);

    public void Attach(IQueryCacheBackplaneReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        if (Interlocked.CompareExchange(ref _receiver, receiver, null) is not null)
        {
            throw new InvalidOperationException("This Redis backplane already serves a query cache; expected one cache per AddRedisCache (another cache takes AddKeyedRedisCache).");
        }

        // Here, not in the constructor: the cache attaches when the host starts or on first use, and this connects.
        var multiplexer = _calls.Multiplexer;
        multiplexer.ConnectionRestored += OnConnectionRestored;
        var subscriber = multiplexer.GetSubscriber();
        Volatile.Write(ref _subscriber, subscriber);
        try
        {
            subscriber.Subscribe(_channel, OnMessage);
        }
        catch (Exception e)
        {
            Log.SubscribeFailed(_logger, _channel.ToString(), e);
        }
    }

    public ValueTask PublishRemovalAsync(string key, CancellationToken cancellationToken) =>
        PublishAsync(Message(writer => writer.WriteString("remove", key)), cancellationToken);

    public ValueTask PublishTagInvalidationAsync(IReadOnlyList<string> tags, CancellationToken cancellationToken) =>
        PublishTagInvalidationAsync(tags, default, cancellationToken);

    /// <summary>
    /// Records the invalidation times in Redis (for nodes that miss the message) and publishes the message, both at once:
    /// one round trip instead of two, which the batch writer pays before each batch's rows complete. Neither needs the
    /// other first: a node that hears the message judges shared entries by its own invalidation time, and the times in
    /// Redis serve only nodes that did not hear it; both are done when the returned task completes.
    /// </summary>
    public async ValueTask PublishTagInvalidationAsync(IReadOnlyList<string> tags, NpgsqlLogSequenceNumber position, CancellationToken cancellationToken)
    {
        var now = (RedisValue)_time.GetUtcNow().ToUnixTimeMilliseconds();
        var times = tags.Select(tag => new KeyValuePair<RedisKey, RedisValue>(_keys.Tag(tag), now)).ToArray();
        var recorded = _calls.TryAsync("tags", database =>
        {
            var batch = database.CreateBatch();
            var writes = times.Select(time => batch.StringSetAsync(time.Key, time.Value, _tagRetention)).ToArray();
            batch.Execute();
            return Task.WhenAll(writes);
        }, cancellationToken).AsTask();
        var published = PublishAsync(Message(writer =>
        {
            writer.WriteStartArray("tags");
            foreach (var tag in tags)
            {
                writer.WriteStringValue(tag);
            }

            writer.WriteEndArray();
            if (position != default)
            {
                writer.WriteNumber("lsn", (ulong)position);
            }
        }), cancellationToken).AsTask();
        await Task.WhenAll(recorded, published).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (_subscriber is not { } subscriber)
        {
            return;
        }

        _calls.Multiplexer.ConnectionRestored -= OnConnectionRestored;
        try
        {
            subscriber.Unsubscribe(_channel, OnMessage);
        }
        catch (ObjectDisposedException)
        {
            // The multiplexer went first: its subscriptions went with it.
        }
    }

    private async ValueTask PublishAsync(byte[] message, CancellationToken cancellationToken)
    {
        var (succeeded, _) = await _calls.TryAsync("publish", _ => (_subscriber ?? _calls.Multiplexer.GetSubscriber()).PublishAsync(_channel, message), cancellationToken).ConfigureAwait(false);
        if (succeeded)
        {
            RedisDiagnostics.SentCounter.Add(1, _calls.PrefixTag);
        }
    }

    private byte[] Message(Action<Utf8JsonWriter> writeBody)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("node", _node);
            writeBody(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Messages published while the subscription was down are lost: drop what they might have invalidated.</summary>
    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs args)
    {
        if (args.ConnectionType == ConnectionType.Subscription && _receiver is { } receiver)
        {
            Log.BackplaneReconnected(_logger, _channel.ToString());
            receiver.EvictAllLocal();
        }
    }

    private void OnMessage(RedisChannel channel, RedisValue message)
    {
        try
        {
            using var document = JsonDocument.Parse((byte[])message!);
            var root = document.RootElement;
            if (root.GetProperty("node").GetString() == _node || _receiver is not { } receiver)
            {
                return;
            }

            if (root.TryGetProperty("remove", out var key))
            {
                receiver.EvictLocal(key.GetString()!);
            }
            else
            {
                var tags = root.GetProperty("tags").EnumerateArray().Select(tag => tag.GetString()!).ToList();
                if (root.TryGetProperty("lsn", out var position))
                {
                    receiver.InvalidateTagsLocal(tags, new NpgsqlLogSequenceNumber(position.GetUInt64()));
                }
                else
                {
                    receiver.InvalidateTagsLocal(tags);
                }
            }

            RedisDiagnostics.ReceivedCounter.Add(1, _calls.PrefixTag);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentNullException or FormatException)
        {
            Log.MalformedMessage(_logger, channel.ToString(), e);
        }
    }
}
