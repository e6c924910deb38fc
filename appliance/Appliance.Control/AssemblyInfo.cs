using System.Runtime.CompilerServices;

// The replay of a real client's recorded session needs the recorded responder ephemeral (NoiseOptions.ResponderEphemeralForTesting).
[assembly: InternalsVisibleTo("Appliance.Control.Tests")]
