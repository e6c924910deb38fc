namespace Appliance.Derp.Relay;

/// <summary>
/// Encoded frames waiting in a connection's send queue, in a buffer rented from the server's <see cref="RelayBufferPool"/> (which hands small ones to ArrayPool.Shared): one control frame
/// (<paramref name="Packets"/> = 0), or one or more RecvPacket frames back to back (a batch from one sender's read buffer,
/// <see cref="DerpConnection"/>.Batch), counted against the receiver's queue limit packet by packet.
/// </summary>
internal readonly record struct QueuedFrame(byte[] Buffer, int Length, int Packets);
