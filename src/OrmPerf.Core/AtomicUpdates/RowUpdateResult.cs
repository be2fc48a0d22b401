namespace OrmPerf.AtomicUpdates;

/// <summary>What a <see cref="RowUpdate"/> did.</summary>
/// <param name="Changed">
/// A row matched the key (and the expected version) and was written. Like PostgreSQL's row count, this is true even
/// when the new values equal the old ones.
/// </param>
/// <param name="NewVersion">The row's version after the update, when a version column was given and the row changed.</param>
public sealed record RowUpdateResult(bool Changed, long? NewVersion);
