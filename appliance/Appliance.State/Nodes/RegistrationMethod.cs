namespace Appliance.State.Nodes;

/// <summary>How a node was registered (stored in `nodes.register_method`; the repository maps it to Storage's text).</summary>
public enum RegistrationMethod
{
    AuthKey,
    Interactive,
    Cli,
}
