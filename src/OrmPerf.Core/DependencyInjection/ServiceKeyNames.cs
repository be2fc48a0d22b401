namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The one rule by which a keyed registration names its options after its service key.</summary>
internal static class ServiceKeyNames
{
    /// <summary>
    /// The key's <see cref="object.ToString"/>. An empty one is refused: it would be <see cref="Options.Options.DefaultName"/>
    /// and share the unkeyed registration's options.
    /// </summary>
    /// <param name="serviceKey">The caller's service key.</param>
    /// <param name="named">What the name is for, in the message ("the primary's options").</param>
    public static string OptionsName(object serviceKey, string named)
    {
        ArgumentNullException.ThrowIfNull(serviceKey);
        var name = serviceKey.ToString();
        return string.IsNullOrWhiteSpace(name)
            ? throw new ArgumentException($"The service key of type {serviceKey.GetType().Name} has an empty ToString(); expected a non-empty one, as it names {named}.", nameof(serviceKey))
            : name;
    }
}
