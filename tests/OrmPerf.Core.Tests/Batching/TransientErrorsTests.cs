using Npgsql;
using OrmPerf.Batching;

namespace OrmPerf.Core.Tests.Batching;

public sealed class TransientErrorsTests
{
    [Theory]
    [InlineData(PostgresErrorCodes.AdminShutdown)]
    [InlineData(PostgresErrorCodes.SerializationFailure)]
    [InlineData(PostgresErrorCodes.DeadlockDetected)]
    [InlineData(PostgresErrorCodes.CannotConnectNow)]
    [InlineData(PostgresErrorCodes.ConnectionFailure)]
    public void Server_errors_that_abort_the_whole_transaction_are_retried(string sqlState)
    {
        var error = new PostgresException("boom", "FATAL", "FATAL", sqlState);

        Assert.True(TransientErrors.IsTransient(error));
        Assert.False(TransientErrors.IsCausedByRows(error));
    }

    [Theory]
    [InlineData(PostgresErrorCodes.UniqueViolation)]
    [InlineData(PostgresErrorCodes.NotNullViolation)]
    [InlineData(PostgresErrorCodes.CheckViolation)]
    [InlineData(PostgresErrorCodes.NumericValueOutOfRange)]
    [InlineData(PostgresErrorCodes.CardinalityViolation)]
    public void Errors_caused_by_rows_are_not_retried_but_isolated(string sqlState)
    {
        var error = new PostgresException("bad row", "ERROR", "ERROR", sqlState);

        Assert.False(TransientErrors.IsTransient(error));
        Assert.True(TransientErrors.IsCausedByRows(error));
    }

    [Fact]
    public void A_lost_connection_or_a_commit_in_doubt_is_retried_and_clears_the_pool_only_when_the_connection_broke()
    {
        var lost = new NpgsqlException("Exception while reading from stream", new IOException("reset"));
        var inDoubt = new TransactionInDoubtException(42);
        var syntax = new PostgresException("syntax", "ERROR", "ERROR", PostgresErrorCodes.SyntaxError);

        Assert.True(TransientErrors.IsTransient(lost));
        Assert.True(TransientErrors.BreaksConnections(lost));
        Assert.True(TransientErrors.IsTransient(inDoubt));
        Assert.False(TransientErrors.BreaksConnections(inDoubt));
        Assert.False(TransientErrors.IsTransient(syntax));
        Assert.False(TransientErrors.IsTransient(new InvalidOperationException()));
    }
}
