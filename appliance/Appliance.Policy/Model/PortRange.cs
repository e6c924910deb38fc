namespace Appliance.Policy.Model;

/// <summary>tailcfg.PortRange: an inclusive port range; 0-65535 is "any".</summary>
public readonly record struct PortRange(int First, int Last)
{
    public static readonly PortRange Any = new(0, 65535);

    public bool Contains(int port) => port >= First && port <= Last;
}
