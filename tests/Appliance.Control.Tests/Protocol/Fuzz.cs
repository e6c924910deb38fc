namespace Appliance.Control.Tests.Protocol;

/// <summary>Deterministic random mutations for the seeded fuzz tests: flips, inserts, deletes, truncation, splices.</summary>
internal static class Fuzz
{
    public static byte[] Mutate(byte[] seed, Random random)
    {
        var data = new List<byte>(seed);
        var rounds = random.Next(1, 6);
        for (var r = 0; r < rounds && data.Count > 0; r++)
        {
            var at = random.Next(data.Count);
            switch (random.Next(6))
            {
                case 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    data[at] = (byte)random.Next(256);
                    break;
                case 2:
                    data.Insert(at, (byte)"{}[]\",:0\\"[random.Next(9)]);
                    break;
                case 3:
                    data.RemoveAt(at);
                    break;
                case 4:
                    data.RemoveRange(at, data.Count - at);
                    break;
                default:
                    var len = Math.Min(random.Next(1, 32), data.Count - at);
                    data.InsertRange(random.Next(data.Count), data.GetRange(at, len));
                    break;
            }
        }

        return [.. data];
    }
}
