namespace OrmPerf.Routing;

/// <summary>What the caller means to do with a connection; the router picks the server from it.</summary>
public enum Intent
{
    /// <summary>Only reads: may go to a healthy, caught-up replica.</summary>
    Read,

    /// <summary>Writes, or reads that must see the latest data: always the primary.</summary>
    Write,
}
