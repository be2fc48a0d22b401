using Npgsql;

namespace OrmPerf.Routing;

/// <summary>Opens a connection from a data source and disposes it when opening fails, so a failed open leaks nothing.</summary>
internal static class DataSourceOpening
{
    /// <summary>Opens a connection; completes synchronously (no state machine) when the pool hands out an idle one.</summary>
    public static ValueTask<NpgsqlConnection> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var connection = dataSource.CreateConnection();
        Task opening;
        try
        {
            opening = connection.OpenAsync(cancellationToken);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return opening.IsCompletedSuccessfully ? new ValueTask<NpgsqlConnection>(connection) : AwaitOpenAsync(connection, opening);
    }

    private static async ValueTask<NpgsqlConnection> AwaitOpenAsync(NpgsqlConnection connection, Task opening)
    {
        try
        {
            await opening.ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
