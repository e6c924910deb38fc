namespace Appliance.ServerTests.Support;

/// <summary>
/// Tests that run `dotnet publish -c Release -r linux-x64` on appliance/Appliance (the single-file test and the USB
/// folder the systemd drill builds). They share the project's obj/Release folder, so two at once can bundle a
/// half-written assembly set (seen: a drill's single file without Appliance.Hosting). xunit runs one collection's
/// tests one after another.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SingleFilePublishers
{
    public const string Name = "Publishes the single file";
}
