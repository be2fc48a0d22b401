using Npgsql;
using OrmPerf.IntegrationTests.Infrastructure;

namespace OrmPerf.IntegrationTests.Batching;

/// <summary>An open transaction holding <c>order_event</c> locked, so that every batch waits until it is released.</summary>
internal sealed class TableLock : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;

    private TableLock(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    public static async Task<TableLock> TakeAsync(TestSchema schema, CancellationToken token)
    {
        var connection = new NpgsqlConnection(schema.Primary);
        try
        {
            await connection.OpenAsync(token);
            var transaction = await connection.BeginTransactionAsync(token);
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE order_event IN ACCESS EXCLUSIVE MODE", connection, transaction))
            {
                await lockTable.ExecuteNonQueryAsync(token);
            }

            return new TableLock(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public Task ReleaseAsync(CancellationToken token) => _transaction.RollbackAsync(token);

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
