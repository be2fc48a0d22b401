using System.Linq.Expressions;
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

        return new TableMap<T>(_schema, _table, [.. _columns], [.. _keys]);
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
