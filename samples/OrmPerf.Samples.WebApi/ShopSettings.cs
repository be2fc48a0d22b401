using System.Text.RegularExpressions;

namespace OrmPerf.Samples.WebApi;

/// <summary>The shop's own settings, from the <c>Shop</c> configuration section.</summary>
public sealed partial class ShopSettings
{
    /// <summary>The configuration section these settings are read from.</summary>
    public const string Section = "Shop";

    /// <summary>
    /// The PostgreSQL schema holding the shop's tables, created at start-up if missing; first on every connection's
    /// search path. Lower-case letters, digits and underscores. Default: <c>shop</c>.
    /// </summary>
    public string Schema { get; set; } = "shop";

    /// <summary>The loopback port Kestrel listens on; 0 picks a free one. Default: 5080.</summary>
    public int Port { get; set; } = 5080;

    /// <summary>How often the scheduler refreshes the dashboard's materialized view (at least one second). Default: 30 s.</summary>
    public TimeSpan DashboardRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The OrmPerf pool profile of every data source: <c>Production</c> or <c>Development</c> (no pooling). Default: Production.</summary>
    public string Pool { get; set; } = "Production";

    /// <summary>Whether metrics are also written to the console by OpenTelemetry's console exporter. Default: off.</summary>
    public bool ConsoleMetrics { get; set; }

    /// <summary>Throws when a setting cannot work, naming it and the value.</summary>
    /// <exception cref="InvalidOperationException">A setting is invalid.</exception>
    public void Validate()
    {
        if (!SchemaName().IsMatch(Schema))
        {
            throw new InvalidOperationException($"{Section}:{nameof(Schema)} must be a lower-case SQL name (letters, digits, underscores, at most 63), got '{Schema}'.");
        }

        if (Port is < 0 or > 65535)
        {
            throw new InvalidOperationException($"{Section}:{nameof(Port)} must be a TCP port (0 for any free one), got {Port}.");
        }

        if (Pool is not ("Production" or "Development"))
        {
            throw new InvalidOperationException($"{Section}:{nameof(Pool)} must be Production or Development, got '{Pool}'.");
        }

        if (DashboardRefreshInterval < TimeSpan.FromSeconds(1))
        {
            throw new InvalidOperationException($"{Section}:{nameof(DashboardRefreshInterval)} must be at least one second, got {DashboardRefreshInterval}.");
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();
}
