using System.Runtime.CompilerServices;

// The Noise spec's published vectors use their own prologue and payloads; the tests drive IkHandshake directly.
[assembly: InternalsVisibleTo("Appliance.Protocol.Tests")]
