using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.Metrics;

/// <summary>
/// A singleton that creates instruments when it is constructed. The metrics area resolves every registration at
/// start, so each area's instruments exist (and are exported, at zero) before the first scrape rather than after
/// the area is first used.
/// </summary>
public sealed class InstrumentSource(object owner)
{
    public object Owner { get; } = owner;
}

public static class InstrumentSourceExtensions
{
    /// <summary>Marks the singleton <typeparamref name="T"/> as one that owns instruments.</summary>
    public static IServiceCollection AddInstrumentSource<T>(this IServiceCollection services)
        where T : class =>
        services.AddSingleton(sp => new InstrumentSource(sp.GetRequiredService<T>()));
}
