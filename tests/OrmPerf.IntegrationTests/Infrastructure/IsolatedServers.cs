using System.Text.RegularExpressions;
using Npgsql;

namespace OrmPerf.IntegrationTests.Infrastructure;

/// <summary>
/// A primary + replica + Redis that belong to one test (from <see cref="TestServers.CreateIsolatedServersAsync"/>),
/// so it may stop, promote or break them without touching the servers every other test shares.
/// </summary>
public sealed partial class IsolatedServers : IAsyncDisposable
{
    private readonly Func<string, string, Task<string>> _control;
    private readonly Func<Task<string>> _down;

    internal IsolatedServers(string exports, Func<string, string, Task<string>> control, Func<Task<string>> down)
    {
        _control = control;
        _down = down;
        var values = Export().Matches(exports).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        Primary = values["ORMPERF_PG_PRIMARY"];
        Replica = values["ORMPERF_PG_REPLICA"];
    }

    /// <summary>Connection string of this set's primary.</summary>
    public string Primary { get; }

    /// <summary>Connection string of this set's streaming replica.</summary>
    public string Replica { get; }

    public int PrimaryPort => new NpgsqlConnectionStringBuilder(Primary).Port;

    public int ReplicaPort => new NpgsqlConnectionStringBuilder(Replica).Port;

    /// <summary><c>eng/services.sh ACTION SERVER</c> on this set (stop, start, promote).</summary>
    public async Task ControlAsync(string action, string server)
    {
        await _control(action, server);
        NpgsqlConnection.ClearAllPools();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await _down();
    }

    [GeneratedRegex("^export (\\w+)='([^']*)'$", RegexOptions.Multiline)]
    private static partial Regex Export();
}
