using Microsoft.Extensions.Logging;
using OrmPerf.Connections;

namespace OrmPerf.Diagnostics;

/// <summary>Every log message of OrmPerf.Core, with its event id, in one place.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "OrmPerf data source '{Name}' for {Endpoints}/{Database} uses pool profile {Profile}")]
    public static partial void DataSourceCreated(ILogger logger, string name, string endpoints, string? database, PoolProfile profile);
}
