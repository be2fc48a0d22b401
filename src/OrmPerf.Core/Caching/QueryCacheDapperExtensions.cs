using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Dapper;
using OrmPerf.Consistency;
using OrmPerf.Sql;

namespace OrmPerf.Caching;

/// <summary>
/// Dapper queries served through an <see cref="IQueryCache"/>, keyed automatically by SQL, parameters and result type,
/// and tagged with the tables the SQL reads (the names after FROM and JOIN) so <see cref="IQueryCache.InvalidateTablesAsync"/>
/// reaches them.
/// </summary>
/// <remarks>
/// <para>Prefer the <see cref="DbDataSource"/> overloads: a hit never touches the connection pool, and the one factory run
/// that concurrent callers share opens its own connection. The <see cref="DbConnection"/> overloads run the shared query
/// on the first caller's connection, which must therefore stay open until that call returns.</para>
/// <para>Each call builds its <see cref="QueryKey"/> from the SQL and parameters; a key built recently is reused rather
/// than allocated again (reading the parameter object's value-type properties still boxes them). The cache lookup
/// itself allocates nothing on a hit.</para>
/// <para>Given a router's read data source (<c>IConnectionRouter.ReadDataSource</c> in OrmPerf.Routing), a call honours the
/// scope's consistency token: no entry read before it is served, and a fill reads from a server that has replayed it.</para>
/// <para>Thread-safe as far as the cache is; a <see cref="DbConnection"/> itself is not.</para>
/// </remarks>
public static class QueryCacheDapperExtensions
{
    private const string ReflectionWarning = "Dapper and the query key read the parameter object's properties by reflection.";

    /// <summary>Runs <paramref name="sql"/> through the cache, returning all rows.</summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="dataSource">Opens a connection for the query on a miss.</param>
    /// <param name="cache">The cache.</param>
    /// <param name="sql">The SQL text.</param>
    /// <param name="param">The parameters (anonymous object, dictionary or <see cref="DynamicParameters"/>).</param>
    /// <param name="options">Entry options; the SQL's table tags are added to them.</param>
    /// <param name="scope">Separates otherwise equal queries (tenant, user).</param>
    /// <param name="cancellationToken">Stops this caller's wait.</param>
    /// <returns>The rows.</returns>
    [RequiresUnreferencedCode(ReflectionWarning)]
    public static ValueTask<IReadOnlyList<T>> QueryCachedAsync<T>(this DbDataSource dataSource, IQueryCache cache, string sql, object? param = null, QueryCacheEntryOptions? options = null, string? scope = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return CachedAsync(cache, sql, param, options, scope, "all", command => OnNewConnectionAsync(dataSource, command, ListAsync<T>), dataSource as IReadRequirement, cancellationToken);
    }

    /// <summary>Runs <paramref name="sql"/> through the cache, returning the first row or <see langword="default"/>.</summary>
    /// <inheritdoc cref="QueryCachedAsync{T}(DbDataSource, IQueryCache, string, object?, QueryCacheEntryOptions?, string?, CancellationToken)"/>
    [RequiresUnreferencedCode(ReflectionWarning)]
    public static ValueTask<T?> QueryFirstOrDefaultCachedAsync<T>(this DbDataSource dataSource, IQueryCache cache, string sql, object? param = null, QueryCacheEntryOptions? options = null, string? scope = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return CachedAsync(cache, sql, param, options, scope, "first-or-default", command => OnNewConnectionAsync(dataSource, command, FirstOrDefaultAsync<T>), dataSource as IReadRequirement, cancellationToken);
    }

    /// <summary>Runs <paramref name="sql"/> through the cache, returning the only row or <see langword="default"/>; more than one row throws.</summary>
    /// <inheritdoc cref="QueryCachedAsync{T}(DbDataSource, IQueryCache, string, object?, QueryCacheEntryOptions?, string?, CancellationToken)"/>
    [RequiresUnreferencedCode(ReflectionWarning)]
    public static ValueTask<T?> QuerySingleOrDefaultCachedAsync<T>(this DbDataSource dataSource, IQueryCache cache, string sql, object? param = null, QueryCacheEntryOptions? options = null, string? scope = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return CachedAsync(cache, sql, param, options, scope, "single-or-default", command => OnNewConnectionAsync(dataSource, command, SingleOrDefaultAsync<T>), dataSource as IReadRequirement, cancellationToken);
    }

    /// <summary>Runs <paramref name="sql"/> through the cache on <paramref name="connection"/>, returning all rows.</summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="connection">Runs the query on a miss; must stay open until the call returns.</param>
    /// <param name="cache">The cache.</param>
    /// <param name="sql">The SQL text.</param>
    /// <param name="param">The parameters (anonymous object, dictionary or <see cref="DynamicParameters"/>).</param>
    /// <param name="options">Entry options; the SQL's table tags are added to them.</param>
    /// <param name="scope">Separates otherwise equal queries (tenant, user).</param>
    /// <param name="cancellationToken">Stops this caller's wait.</param>
    /// <returns>The rows.</returns>
    [RequiresUnreferencedCode(ReflectionWarning)]
    public static ValueTask<IReadOnlyList<T>> QueryCachedAsync<T>(this DbConnection connection, IQueryCache cache, string sql, object? param = null, QueryCacheEntryOptions? options = null, string? scope = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return CachedAsync(cache, sql, param, options, scope, "all", command => ListAsync<T>(connection, command), requirement: null, cancellationToken);
    }

    /// <summary>Runs <paramref name="sql"/> through the cache on <paramref name="connection"/>, returning the first row or <see langword="default"/>.</summary>
    /// <inheritdoc cref="QueryCachedAsync{T}(DbConnection, IQueryCache, string, object?, QueryCacheEntryOptions?, string?, CancellationToken)"/>
    [RequiresUnreferencedCode(ReflectionWarning)]
    public static ValueTask<T?> QueryFirstOrDefaultCachedAsync<T>(this DbConnection connection, IQueryCache cache, string sql, object? param = null, QueryCacheEntryOptions? options = null, string? scope = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return CachedAsync(cache, sql, param, options, scope, "first-or-default", command => FirstOrDefaultAsync<T>(connection, command), requirement: null, cancellationToken);
    }

    /// <summary>Runs <paramref name="sql"/> through the cache on <paramref name="connection"/>, returning the only row or <see langword="default"/>; more than one row throws.</summary>
    /// <inheritdoc cref="QueryCachedAsync{T}(DbConnection, IQueryCache, string, object?, QueryCacheEntryOptions?, string?, CancellationToken)"/>
    [RequiresUnreferencedCode(ReflectionWarning)]
    public static ValueTask<T?> QuerySingleOrDefaultCachedAsync<T>(this DbConnection connection, IQueryCache cache, string sql, object? param = null, QueryCacheEntryOptions? options = null, string? scope = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return CachedAsync(cache, sql, param, options, scope, "single-or-default", command => SingleOrDefaultAsync<T>(connection, command), requirement: null, cancellationToken);
    }

    [RequiresUnreferencedCode(ReflectionWarning)]
    private static ValueTask<TResult> CachedAsync<TResult>(
        IQueryCache cache, string sql, object? param, QueryCacheEntryOptions? options, string? scope, string operation, Func<CommandDefinition, Task<TResult>> query,
        IReadRequirement? requirement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(sql);
        var key = QueryKey.Create(sql, param, typeof(TResult), scope, operation, QueryKey.XxHash);
        var tagged = SqlTaggedEntryOptions.For(sql, options ?? cache.DefaultEntryOptions);
        Func<CancellationToken, ValueTask<TResult>> factory = async token => await query(new CommandDefinition(sql, param, cancellationToken: token)).ConfigureAwait(false);
        return requirement is not null && cache is QueryCache local
            ? local.GetOrSetAsync(key, factory, tagged, requirement, cancellationToken)
            : cache.GetOrSetAsync(key, factory, tagged, cancellationToken);
    }

    private static async Task<TResult> OnNewConnectionAsync<TResult>(DbDataSource dataSource, CommandDefinition command, Func<DbConnection, CommandDefinition, Task<TResult>> query)
    {
        var connection = await dataSource.OpenConnectionAsync(command.CancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await query(connection, command).ConfigureAwait(false);
        }
    }

    [RequiresUnreferencedCode(ReflectionWarning)]
    private static async Task<IReadOnlyList<T>> ListAsync<T>(DbConnection connection, CommandDefinition command) =>
        (await connection.QueryAsync<T>(command).ConfigureAwait(false)).AsList();

    [RequiresUnreferencedCode(ReflectionWarning)]
    private static Task<T?> FirstOrDefaultAsync<T>(DbConnection connection, CommandDefinition command) =>
        connection.QueryFirstOrDefaultAsync<T>(command);

    [RequiresUnreferencedCode(ReflectionWarning)]
    private static Task<T?> SingleOrDefaultAsync<T>(DbConnection connection, CommandDefinition command) =>
        connection.QuerySingleOrDefaultAsync<T>(command);
}
