using Npgsql;

namespace OrmPerf.Routing;

/// <summary>Opens a connection from a data source and disposes it when opening fails, so a failed open leaks nothing.</summary>
internal static class DataSourceOpening
{
    public static async ValueTask<NpgsqlConnection> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var connection = dataSource.CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
