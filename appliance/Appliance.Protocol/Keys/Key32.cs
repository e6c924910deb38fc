using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Appliance.Protocol.Keys;

/// <summary>32 bytes stored inline, so key structs are plain values with no heap allocation.</summary>
[InlineArray(32)]
internal struct Key32Buffer
{
    private byte _element0;
}

[StructLayout(LayoutKind.Sequential)]
internal readonly struct Key32 : IEquatable<Key32>
{
    private readonly Key32Buffer _bytes;

    private Key32(Key32Buffer bytes) => _bytes = bytes;

    public static Key32 FromSpan(ReadOnlySpan<byte> raw)
    {
        if (raw.Length != KeyText.KeySize)
        {
            throw new ArgumentException($"a key is {KeyText.KeySize} bytes, got {raw.Length}", nameof(raw));
        }

        var buffer = default(Key32Buffer);
        raw.CopyTo(buffer);
        return new Key32(buffer);
    }

    public ReadOnlySpan<byte> AsSpan() =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef(in _bytes[0]), KeyText.KeySize);

    public bool IsZero => AsSpan().IndexOfAnyExcept((byte)0) < 0;

    public bool Equals(Key32 other) => AsSpan().SequenceEqual(other.AsSpan());

    public override bool Equals(object? obj) => obj is Key32 other && Equals(other);

    public override int GetHashCode()
    {
        // Keys are uniformly random: the first 8 bytes are a good hash.
        return BitConverter.ToInt32(AsSpan()) ^ BitConverter.ToInt32(AsSpan()[4..]);
    }
}
