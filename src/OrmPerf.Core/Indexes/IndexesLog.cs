using Microsoft.Extensions.Logging;

namespace OrmPerf.Diagnostics;

internal static partial class Log
{
    [LoggerMessage(330, LogLevel.Information, "Index report: {Unused} unused, {Redundant} redundant, {Invalid} invalid indexes, {SeqHeavy} sequential-scan-heavy tables; statistics {StatisticsAge} old")]
    public static partial void IndexReportBuilt(ILogger logger, int unused, int redundant, int invalid, int seqHeavy, TimeSpan statisticsAge);

    [LoggerMessage(331, LogLevel.Information, "Created covering index {Index} on {Table}; the query's plan uses an index-only scan on it: {IndexOnly}")]
    public static partial void CoveringIndexCreated(ILogger logger, string index, string table, bool indexOnly);
}
