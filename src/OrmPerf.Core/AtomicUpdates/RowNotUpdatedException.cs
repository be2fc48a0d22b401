namespace OrmPerf.AtomicUpdates;

/// <summary>
/// Thrown by <see cref="RowUpdate"/> with <see cref="RowUpdate.ThrowWhenNoRowChanged"/> when no row matched: the key does
/// not exist, or (with a version column) someone else changed the row first.
/// </summary>
public sealed class RowNotUpdatedException : OrmPerfException
{
    /// <summary>Creates the exception.</summary>
    public RowNotUpdatedException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RowNotUpdatedException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public RowNotUpdatedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
