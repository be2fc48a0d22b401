namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The rules every keyed registration of Core follows: options named after the service key, and one registration per
/// service and key (a null key being the plain registration).
/// </summary>
internal static class KeyedRegistrations
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

    /// <summary>Whether <paramref name="serviceType"/> is registered under <paramref name="serviceKey"/> (null: the plain registration).</summary>
    public static bool IsRegistered(this IServiceCollection services, Type serviceType, object? serviceKey) =>
        services.Any(d => d.ServiceType == serviceType && Equals(d.ServiceKey, serviceKey));
}
