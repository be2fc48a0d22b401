using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrmPerf.Connections;
using OrmPerf.Samples.Tour.Measurement;

namespace OrmPerf.Samples.Tour.Connections;

/// <summary>
/// Opening a connection per request, as a service does: with the Development profile (pooling off) every open is a
/// new TCP connection, authentication and backend process; with Production it is a pooled connection handed back.
/// </summary>
internal sealed class PoolingStep : ITourStep
{
    public string Title => "Connection pooling: Development vs Production profile";

    public async Task<IReadOnlyList<TourResult>> RunAsync(TourContext context, CancellationToken cancellationToken)
    {
        var development = await TimeOpensAsync(context, PoolProfile.Development, cancellationToken);
        var production = await TimeOpensAsync(context, PoolProfile.Production, cancellationToken);
        return
        [
            TourResult.LowerIsBetter(
                "pooling: open + SELECT 1",
                Figure.Duration(development.Median).With("(Development)"),
                Figure.Duration(production.Median).With("(Production)"),
                $"median of {context.Sizes.PoolOpens} opens"),
        ];
    }

    /// <summary>Each profile gets its own service provider, as two differently configured services would.</summary>
    private static async Task<Timings> TimeOpensAsync(TourContext context, PoolProfile profile, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddOrmPerf(o =>
        {
            o.ConnectionString = context.Primary;
            o.Pool = profile;
        });
        await using var provider = services.BuildServiceProvider();
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();
        return await Measure.RepeatAsync(context.Sizes.PoolOpens, async (_, ct) =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: ct));
        }, cancellationToken);
    }
}
