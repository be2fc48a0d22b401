namespace OrmPerf;

/// <summary>
/// The base of every exception OrmPerf throws for a reason of its own (a row PostgreSQL refused, a map that does not
/// fit its table, a commit whose outcome is unknown, no replica to read from). Catch it to handle them all; errors of
/// the caller's input stay <see cref="ArgumentException"/>, and errors of the servers stay Npgsql's or Redis's own.
/// </summary>
public class OrmPerfException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OrmPerfException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public OrmPerfException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public OrmPerfException(string message, Exception? innerException) : base(message, innerException)
    {
    }
}
