using Microsoft.Extensions.Logging;

namespace OrmPerf.Diagnostics;

/// <summary>
/// The <see cref="EventId"/> of every message OrmPerf.Core logs, for filtering and alerting. Ids are stable across
/// versions; each feature owns a block of one hundred: connections 1000, query cache 1100, batch writer 1200,
/// materialized views 1300, index insight 1400. OrmPerf.Redis uses 2000-2999 and OrmPerf.Routing 3000-3999.
/// </summary>
public static class OrmPerfEventId
{
    /// <summary>Connections: data source created.</summary>
    public const int DataSourceCreated = 1000;

    /// <summary>Caching: stale result served.</summary>
    public const int StaleResultServed = 1100;

    /// <summary>Caching: second level failed.</summary>
    public const int SecondLevelFailed = 1101;

    /// <summary>Caching: invalidation without position.</summary>
    public const int InvalidationWithoutPosition = 1102;

    /// <summary>Batching: batch failed.</summary>
    public const int BatchFailed = 1200;

    /// <summary>Batching: row rejected.</summary>
    public const int RowRejected = 1201;

    /// <summary>Batching: batch retrying.</summary>
    public const int BatchRetrying = 1202;

    /// <summary>Batching: draining.</summary>
    public const int Draining = 1203;

    /// <summary>Batching: sink failed.</summary>
    public const int SinkFailed = 1204;

    /// <summary>Batching: change listener failed.</summary>
    public const int ChangeListenerFailed = 1205;

    /// <summary>Batching: row unwritable.</summary>
    public const int RowUnwritable = 1206;

    /// <summary>Batching: shutdown timed out; rows still queued were abandoned.</summary>
    public const int ShutdownTimedOut = 1207;

    /// <summary>MaterializedViews: materialized view refreshed.</summary>
    public const int MaterializedViewRefreshed = 1300;

    /// <summary>MaterializedViews: materialized view refresh skipped.</summary>
    public const int MaterializedViewRefreshSkipped = 1301;

    /// <summary>MaterializedViews: materialized view refresh failed.</summary>
    public const int MaterializedViewRefreshFailed = 1302;

    /// <summary>MaterializedViews: materialized view ordering failed.</summary>
    public const int MaterializedViewOrderingFailed = 1303;

    /// <summary>MaterializedViews: materialized view failure not recorded.</summary>
    public const int MaterializedViewFailureNotRecorded = 1304;

    /// <summary>MaterializedViews: materialized view change reported.</summary>
    public const int MaterializedViewChangeReported = 1305;

    /// <summary>MaterializedViews: materialized view change already served.</summary>
    public const int MaterializedViewChangeAlreadyServed = 1306;

    /// <summary>MaterializedViews: materialized view sources not resolved.</summary>
    public const int MaterializedViewSourcesNotResolved = 1307;

    /// <summary>MaterializedViews: table change notifications listening.</summary>
    public const int TableChangeNotificationsListening = 1308;

    /// <summary>MaterializedViews: table change notifications interrupted.</summary>
    public const int TableChangeNotificationsInterrupted = 1309;

    /// <summary>MaterializedViews: materialized view tick claimed elsewhere.</summary>
    public const int MaterializedViewTickClaimedElsewhere = 1310;

    /// <summary>MaterializedViews: materialized view populating on start.</summary>
    public const int MaterializedViewPopulatingOnStart = 1311;

    /// <summary>MaterializedViews: materialized view populate on start timed out.</summary>
    public const int MaterializedViewPopulateOnStartTimedOut = 1312;

    /// <summary>MaterializedViews: materialized view populate on start failed.</summary>
    public const int MaterializedViewPopulateOnStartFailed = 1313;

    /// <summary>Indexes: index report built.</summary>
    public const int IndexReportBuilt = 1400;

    /// <summary>Indexes: covering index created.</summary>
    public const int CoveringIndexCreated = 1401;
}
