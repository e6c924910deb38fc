namespace Appliance.Derp.Relay;

/// <summary>A fully encoded frame waiting in a connection's send queue, in a buffer rented from ArrayPool.Shared.</summary>
internal readonly record struct QueuedFrame(byte[] Buffer, int Length, bool IsPacket);
