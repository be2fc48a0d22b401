using System.Globalization;

namespace OrmPerf.Tool;

/// <summary>The arguments of <c>ormperf analyze</c>.</summary>
internal sealed record AnalyzeArguments
{
    public const string Usage = """
        usage: ormperf analyze --connection <npgsql connection string> [options]

          --connection, -c <string>   the database to analyze (the primary: replicas keep their own statistics)
          --schema, -s <name>         only this schema (repeatable); default: every user schema
          --instances <n>             application instances sharing the server, for pool sizing (default 1)
          --top <n>                   statements, by total time, planned for index candidates (default 20)
          --no-hypopg                 do not verify index candidates with HypoPG
          --no-create-extensions      do not CREATE EXTENSION pg_stat_statements / hypopg when missing
          --markdown <path>           also write the report as Markdown
          --json <path>               also write the report as JSON
          --apply-index <n>           create suggested index n (1-based) CONCURRENTLY and check the plan uses it
          --yes, -y                   do not ask for confirmation before --apply-index
        """;

    public required string Connection { get; init; }

    public List<string> Schemas { get; } = [];

    public int Instances { get; init; } = 1;

    public int Top { get; init; } = 20;

    public bool UseHypoPg { get; init; } = true;

    public bool CreateExtensions { get; init; } = true;

    public string? MarkdownPath { get; init; }

    public string? JsonPath { get; init; }

    public int? ApplyIndex { get; init; }

    public bool Yes { get; init; }

    /// <summary>Parses the arguments after <c>analyze</c>; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public static AnalyzeArguments Parse(IReadOnlyList<string> args)
    {
        string? connection = null, markdown = null, json = null;
        int instances = 1, top = 20;
        int? apply = null;
        bool hypoPg = true, create = true, yes = false;
        var schemas = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--connection" or "-c": connection = Value(args, ref i); break;
                case "--schema" or "-s": schemas.Add(Value(args, ref i)); break;
                case "--instances": instances = Number(args, ref i); break;
                case "--top": top = Number(args, ref i); break;
                case "--no-hypopg": hypoPg = false; break;
                case "--no-create-extensions": create = false; break;
                case "--markdown": markdown = Value(args, ref i); break;
                case "--json": json = Value(args, ref i); break;
                case "--apply-index": apply = Number(args, ref i); break;
                case "--yes" or "-y": yes = true; break;
                default: throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }

        if (string.IsNullOrWhiteSpace(connection))
        {
            throw new ArgumentException("--connection is required.");
        }

        var parsed = new AnalyzeArguments
        {
            Connection = connection, Instances = instances, Top = top, UseHypoPg = hypoPg, CreateExtensions = create,
            MarkdownPath = markdown, JsonPath = json, ApplyIndex = apply, Yes = yes,
        };
        parsed.Schemas.AddRange(schemas);
        return parsed;
    }

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.");

    private static int Number(IReadOnlyList<string> args, ref int i)
    {
        var text = Value(args, ref i);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{args[i - 1]} expects a positive whole number, not '{text}'.");
    }
}
