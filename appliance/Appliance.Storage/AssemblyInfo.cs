using System.Runtime.CompilerServices;

// The tables of tailnet data (the *Store classes, their rows and SQL helpers) are internal: State is the only
// assembly that reaches them (issue 12; tests/Appliance.ArchitectureTests). The test projects that seed or inspect
// tables directly see them too.
[assembly: InternalsVisibleTo("Appliance.State")]
[assembly: InternalsVisibleTo("Appliance.Storage.Tests")]
[assembly: InternalsVisibleTo("Appliance.State.Tests")]
[assembly: InternalsVisibleTo("Appliance.Hosting.Tests")]
