using System.Text;

namespace OrmPerf.Projections;

/// <summary>PascalCase to snake_case, treating acronyms as words: <c>LastLogin</c> → <c>last_login</c>, <c>HTTPStatus</c> → <c>http_status</c>, <c>UserID</c> → <c>user_id</c>.</summary>
internal static class SnakeCase
{
    public static string From(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0)
            {
                var previous = name[i - 1];
                var nextIsLower = i + 1 < name.Length && char.IsLower(name[i + 1]);
                if (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && nextIsLower))
                {
                    builder.Append('_');
                }
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
