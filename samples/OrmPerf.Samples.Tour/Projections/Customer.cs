namespace OrmPerf.Samples.Tour.Projections;

/// <summary>The whole customer row, as <c>SELECT *</c> loads it.</summary>
internal sealed class Customer
{
    public long Id { get; set; }

    public string Email { get; set; } = "";

    public string Name { get; set; } = "";

    public string Country { get; set; } = "";

    public DateTime LastLogin { get; set; }

    public DateTime CreatedAt { get; set; }

    public string Bio { get; set; } = "";

    public string Preferences { get; set; } = "";
}

/// <summary>What a customer list actually shows: the projection loads only these columns.</summary>
internal sealed class CustomerListItem
{
    public long Id { get; set; }

    public string Email { get; set; } = "";

    public DateTime LastLogin { get; set; }
}
