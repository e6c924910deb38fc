using System.Runtime.CompilerServices;

// The change log behind catch-up deltas (Coordinator/Streams/ChangeLog) is internal to the hub; its folding rules are
// tested on their own.
[assembly: InternalsVisibleTo("Appliance.State.Tests")]
