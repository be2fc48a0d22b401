using System.Linq.Expressions;
using System.Numerics;
using System.Reflection;
using System.Text;
using NpgsqlTypes;

namespace OrmPerf.Batching;

/// <summary>
/// Describes, fluently, how rows of <typeparamref name="T"/> are written to a table:
/// <c>map.Table("order_events").Column(e =&gt; e.Id).Column(e =&gt; e.Amount, "amount", NpgsqlDbType.Numeric).Key("id")</c>.
/// <see cref="Build"/> compiles every accessor once; writing a row then calls delegates only. Not thread-safe.
/// </summary>
/// <typeparam name="T">The row type.</typeparam>
public sealed class TableMapBuilder<T>
{
    private readonly List<ColumnMap<T>> _columns = [];
    private readonly List<string> _keys = [];
    private GeneratedKeyMap<T>? _generatedKey;
    private string? _schema;
    private string? _table;

    /// <summary>Sets the table, and optionally its schema (otherwise the connection's search path decides).</summary>
    /// <param name="name">The table's name, unquoted, exactly as PostgreSQL stores it.</param>
    /// <param name="schema">The schema's name, unquoted, or null.</param>
    public TableMapBuilder<T> Table(string name, string? schema = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (schema is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(schema);
        }

        _table = name;
        _schema = schema;
        return this;
    }

    /// <summary>Maps a property or field of the row to a column.</summary>
    /// <typeparam name="TValue">The member's type.</typeparam>
    /// <param name="member">The member, e.g. <c>e =&gt; e.CreatedAt</c>.</param>
    /// <param name="column">The column's name; defaults to the member's name in snake_case (<c>created_at</c>).</param>
    /// <param name="type">The PostgreSQL type to write; defaults to the usual type of <typeparamref name="TValue"/>.</param>
    /// <exception cref="ArgumentException">The expression is not a member access, or the type cannot be written.</exception>
    public TableMapBuilder<T> Column<TValue>(Expression<Func<T, TValue>> member, string? column = null, NpgsqlDbType? type = null)
    {
        ArgumentNullException.ThrowIfNull(member);
        if (member.Body is not MemberExpression { Member: var info })
        {
            throw new ArgumentException($"Expected a property or field access such as 'e => e.Id', got '{member}'.", nameof(member));
        }

        var dbType = type ?? PostgresTypes.DefaultFor(typeof(TValue))
            ?? throw new ArgumentException(
                $"Member {typeof(T).Name}.{info.Name} has type {typeof(TValue).Name}, which has no default PostgreSQL type; pass the type explicitly.",
                nameof(type));
        if (!PostgresTypes.IsSupported(dbType))
        {
            throw new ArgumentException($"Member {typeof(T).Name}.{info.Name}: NpgsqlDbType.{dbType} is not supported by the batch writer.", nameof(type));
        }

        var name = column ?? ToSnakeCase(info.Name);
        ArgumentException.ThrowIfNullOrWhiteSpace(name, nameof(column));
        if (_columns.Any(c => c.Name == name))
        {
            throw new ArgumentException($"Column '{name}' is mapped twice.", nameof(column));
        }

        _columns.Add(new ColumnMap<T, TValue>(name, info.Name, dbType, member.Compile()));
        return this;
    }

    /// <summary>
    /// Maps the member that receives the key PostgreSQL generates (a <c>serial</c>/<c>bigserial</c> column or an
    /// identity column), so that a writer in <see cref="WriteMode.Insert"/> hands every new row its key. Rows whose key
    /// is zero get the next values of the column's sequence (one <c>nextval</c> call per row, in the batch's own
    /// transaction) and those values are set on the rows before they are written: after <c>await WriteAsync(row)</c>
    /// or <c>WriteManyAsync</c>, <c>row.Id</c> holds the key stored in the table. A row whose key is not zero is
    /// written with its own key. In <see cref="WriteMode.Upsert"/> and <see cref="WriteMode.InsertOrIgnore"/> the
    /// column is left to the table instead, and each row is given the key it is stored under, new or existing, found by
    /// the upsert key (<see cref="Key"/>: a natural key, NOT NULL). Read the key only after the write completed.
    /// </summary>
    /// <typeparam name="TKey"><see cref="short"/>, <see cref="int"/> or <see cref="long"/>.</typeparam>
    /// <param name="member">The settable property or field, e.g. <c>e =&gt; e.Id</c>.</param>
    /// <param name="column">The column's name; defaults to the member's name in snake_case.</param>
    /// <exception cref="ArgumentException">
    /// <typeparamref name="T"/> is a value type (the writer would set the key on a copy), the member cannot be set,
    /// <typeparamref name="TKey"/> is not a 16, 32 or 64-bit signed integer, or a generated key is mapped already.
    /// </exception>
    public TableMapBuilder<T> GeneratedKey<TKey>(Expression<Func<T, TKey>> member, string? column = null)
        where TKey : struct, IBinaryInteger<TKey>
    {
        ArgumentNullException.ThrowIfNull(member);
        if (typeof(T).IsValueType)
        {
            throw new ArgumentException(
                $"{typeof(T).Name} is a value type: the writer would set its generated key on a copy. Use a class for rows with generated keys.",
                nameof(member));
        }

        if (typeof(TKey) != typeof(long) && typeof(TKey) != typeof(int) && typeof(TKey) != typeof(short))
        {
            throw new ArgumentException($"A generated key must be a long, int or short member; {member} is {typeof(TKey).Name}.", nameof(member));
        }

        if (member.Body is not MemberExpression { Member: PropertyInfo { CanWrite: true } or FieldInfo { IsInitOnly: false } } access)
        {
            throw new ArgumentException($"Expected a settable property or field such as 'e => e.Id' for the generated key, got '{member}'.", nameof(member));
        }

        if (_generatedKey is not null)
        {
            throw new ArgumentException($"The table map of {typeof(T).Name} maps its generated key to '{_generatedKey.Column}' already.", nameof(member));
        }

        Column(member, column);
        var value = Expression.Parameter(typeof(TKey), "key");
        var write = Expression.Lambda<Action<T, TKey>>(Expression.Assign(access, value), member.Parameters[0], value).Compile();
        _generatedKey = new GeneratedKeyMap<T, TKey>(_columns[^1].Name, access.Member.Name, member.Compile(), write);
        return this;
    }

    /// <summary>Declares the columns that identify a row (a primary key or unique constraint), needed for upserts.</summary>
    /// <param name="columns">Column names, as mapped.</param>
    public TableMapBuilder<T> Key(params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _keys.Clear();
        _keys.AddRange(columns);
        return this;
    }

    /// <summary>Checks what was described and compiles it.</summary>
    /// <exception cref="InvalidOperationException">No table, no column, or a key column that is not mapped.</exception>
    public TableMap<T> Build()
    {
        if (_table is null)
        {
            throw new InvalidOperationException($"The table map of {typeof(T).Name} names no table; call Table(\"name\").");
        }

        if (_columns.Count == 0)
        {
            throw new InvalidOperationException($"The table map of {typeof(T).Name} for table '{_table}' maps no column; call Column(e => e.Member).");
        }

        foreach (var key in _keys)
        {
            if (_columns.All(c => c.Name != key))
            {
                throw new InvalidOperationException(
                    $"Key column '{key}' of table '{_table}' is not mapped; mapped columns: {string.Join(", ", _columns.Select(c => c.Name))}.");
            }
        }

        return new TableMap<T>(_schema, _table, [.. _columns], [.. _keys], _generatedKey);
    }

    private static string ToSnakeCase(string name)
    {
        var result = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0 && !char.IsUpper(name[i - 1]))
            {
                result.Append('_');
            }

            result.Append(char.ToLowerInvariant(name[i]));
        }

        return result.ToString();
    }
}
