using Dapper;
using OrmPerf.Projections;
using OrmPerf.Samples.Tour.Measurement;

namespace OrmPerf.Samples.Tour.Projections;

/// <summary>
/// A customer list needs id, email and last login; <c>SELECT *</c> also drags the bio and preferences over the wire
/// and through the mapper. Projection.Select builds the select list from the DTO instead.
/// </summary>
internal sealed class PartialLoadingStep : ITourStep
{
    private const string Filter = "id <= @rows";

    public string Title => "Partial loading: full rows vs projected columns";

    public async Task<IReadOnlyList<TourResult>> RunAsync(TourContext context, CancellationToken cancellationToken)
    {
        var rows = new { rows = context.Sizes.ProjectedRows };
        var full = await LoadAsync<Customer>(context, "SELECT * FROM customers WHERE " + Filter, rows, cancellationToken);
        var projected = await LoadAsync<CustomerListItem>(context, Projection.Select<CustomerListItem>("customers", Filter), rows, cancellationToken);
        return
        [
            TourResult.LowerIsBetter(
                "partial loading: time",
                Figure.Duration(full.Time.Median).With("(SELECT *)"),
                Figure.Duration(projected.Time.Median).With("(projection)"),
                $"{context.Sizes.ProjectedRows:N0} customers into objects, median of {context.Sizes.QueryRepeats}"),
            TourResult.LowerIsBetter(
                "partial loading: bytes",
                Figure.Bytes(full.Bytes),
                Figure.Bytes(projected.Bytes),
                "result rows' size on the server (pg_column_size)"),
        ];
    }

    private static async Task<(Timings Time, long Bytes)> LoadAsync<T>(TourContext context, string sql, object parameters, CancellationToken cancellationToken)
    {
        var time = await Measure.RepeatAsync(context.Sizes.QueryRepeats, async (_, ct) =>
        {
            await using var connection = await context.DataSource.OpenConnectionAsync(ct);
            await connection.QueryAsync<T>(new CommandDefinition(sql, parameters, cancellationToken: ct));
        }, cancellationToken);
        await using var connection = await context.DataSource.OpenConnectionAsync(cancellationToken);
        var bytes = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT coalesce(sum(pg_column_size(r.*)), 0) FROM ({sql}) r", parameters, cancellationToken: cancellationToken));
        return (time, bytes);
    }
}
