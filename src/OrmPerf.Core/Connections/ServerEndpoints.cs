using System.Globalization;
using Npgsql;

namespace OrmPerf.Connections;

/// <summary>
/// What a connection string points at, for logs and validation: Npgsql accepts several hosts in <c>Host</c>
/// (<c>a,b:5433</c>), each with an optional port of its own, and <c>Port</c> is only the default for hosts without one.
/// </summary>
internal static class ServerEndpoints
{
    /// <summary>The hosts of <paramref name="settings"/> as <c>host:port</c>, comma-separated (<c>a:5432,b:5433</c>).</summary>
    public static string Describe(NpgsqlConnectionStringBuilder settings)
    {
        var hosts = Hosts(settings.Host);
        if (hosts.Length == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"(no host):{settings.Port}");
        }

        return string.Join(',', hosts.Select(host => WithPort(host, settings.Port)));
    }

    /// <summary>How many hosts <c>Host</c> lists.</summary>
    public static int Count(NpgsqlConnectionStringBuilder settings) => Hosts(settings.Host).Length;

    private static string[] Hosts(string? host) =>
        host?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    // "a:5433" and "[::1]:5433" carry a port; a bare IPv6 address ("::1") is bracketed so that its port reads clearly.
    private static string WithPort(string host, int port)
    {
        if (host.StartsWith('['))
        {
            return host.EndsWith(']') ? string.Create(CultureInfo.InvariantCulture, $"{host}:{port}") : host;
        }

        var colons = host.Count(c => c == ':');
        return colons switch
        {
            0 => string.Create(CultureInfo.InvariantCulture, $"{host}:{port}"),
            1 => host,
            _ => string.Create(CultureInfo.InvariantCulture, $"[{host}]:{port}"),
        };
    }
}
