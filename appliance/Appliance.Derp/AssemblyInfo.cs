using System.Runtime.CompilerServices;

// The relay's buffer pool is internal; its tests check reuse and trimming directly (RelayBufferPoolTests).
[assembly: InternalsVisibleTo("Appliance.Derp.Tests")]
