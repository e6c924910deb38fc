using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Appliance.Hosting.Backup.Encryption;

namespace Appliance.Hosting.Tests.Backup;

/// <summary>
/// The age v1 encryption of backups (C2SP/C2SP age.md): round trips at chunk boundaries, files that Debian's `age`
/// (1.1) decrypts and that it wrote, refusal of a changed, truncated, extended or foreign file, and a fuzzed header
/// parser that only ever answers FormatException.
/// </summary>
public sealed class AgeFormatTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "age-" + Guid.NewGuid().ToString("N")[..12]);

    public AgeFormatTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Encrypt(AgeRecipient recipient, byte[] plaintext)
    {
        using var output = new MemoryStream();
        using (var encrypting = AgeFile.Encrypt(output, recipient))
        {
            encrypting.Write(plaintext);
        }

        return output.ToArray();
    }

    private static byte[] Decrypt(AgeIdentity identity, byte[] file)
    {
        using var decrypting = AgeFile.Decrypt(new MemoryStream(file), identity);
        using var plain = new MemoryStream();
        decrypting.CopyTo(plain);
        return plain.ToArray();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65535)]
    [InlineData(65536)]
    [InlineData(65537)]
    [InlineData(3 * 65536)]
    [InlineData(200_000)]
    public void What_is_encrypted_to_a_recipient_decrypts_with_its_identity_at_every_chunk_boundary(int size)
    {
        using var identity = AgeIdentity.Generate();
        var plaintext = RandomNumberGenerator.GetBytes(size);

        var file = Encrypt(identity.Recipient, plaintext);

        Assert.True(file.AsSpan().StartsWith(AgeFile.Magic));
        Assert.Equal(plaintext, Decrypt(identity, file));
        var path = Path.Combine(_dir, "f.age");
        File.WriteAllBytes(path, file);
        Assert.Empty(AgeFile.CheckWithoutKey(path));
    }

    [Fact]
    public void Keys_round_trip_through_their_text_forms_and_bad_ones_are_refused()
    {
        using var identity = AgeIdentity.Generate();
        var text = identity.Export();
        Assert.Matches("^# public key: age1[a-z0-9]{58}\nAGE-SECRET-KEY-1[A-Z0-9]{58}\n$", text);
        using var again = AgeIdentity.Parse(text);
        Assert.Equal(identity.Recipient, again.Recipient);
        Assert.True(AgeRecipient.TryParse(identity.Recipient.ToString(), out var parsed));
        Assert.Equal(identity.Recipient, parsed);

        var recipient = identity.Recipient.ToString();
        Assert.False(AgeRecipient.TryParse(recipient[..^1] + (recipient[^1] == 'q' ? 'p' : 'q'), out _), "a changed checksum character");
        Assert.False(AgeRecipient.TryParse(recipient.ToUpperInvariant()[..10] + recipient[10..], out _), "mixed case");
        Assert.False(AgeRecipient.TryParse("age1", out _));
        Assert.False(AgeRecipient.TryParse(Bech32.Encode("age", new byte[31]), out _), "31 bytes");
        Assert.Throws<FormatException>(() => AgeIdentity.Parse("# nothing here\n"));
        Assert.Throws<FormatException>(() => AgeIdentity.Parse(text.Replace("AGE-SECRET-KEY-1", "AGE-SECRET-KEY-1Q", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_changed_payload_byte_header_byte_truncation_extension_or_another_identity_is_refused()
    {
        using var identity = AgeIdentity.Generate();
        using var stranger = AgeIdentity.Generate();
        var plaintext = RandomNumberGenerator.GetBytes(150_000);
        var file = Encrypt(identity.Recipient, plaintext);
        var headerLength = file.AsSpan().IndexOf("\n---"u8) + 4 + 44 + 1;

        var payloadFlip = (byte[])file.Clone();
        payloadFlip[headerLength + 16 + 70_000] ^= 1;
        Assert.Contains("chunk 1", Assert.Throws<AgeDecryptionException>(() => Decrypt(identity, payloadFlip)).Message, StringComparison.Ordinal);

        var macLine = file.AsSpan().IndexOf("\n---"u8) + 5;
        Assert.Contains("MAC does not match", Assert.Throws<AgeDecryptionException>(() => Decrypt(identity, Changed(file, macLine + 10))).Message, StringComparison.Ordinal);
        Assert.Throws<AgeDecryptionException>(() => Decrypt(identity, Changed(file, macLine - 5 - 20))); // the wrapped file key

        Assert.Contains("truncated", Assert.Throws<AgeDecryptionException>(() => Decrypt(identity, file[..^(file.Length - headerLength - 16 - 65552)])).Message, StringComparison.Ordinal);
        Assert.Throws<AgeDecryptionException>(() => Decrypt(identity, file[..^1]));
        Assert.Throws<AgeDecryptionException>(() => Decrypt(identity, [.. file, 0]));
        Assert.Contains("not encrypted to", Assert.Throws<AgeDecryptionException>(() => Decrypt(stranger, file)).Message, StringComparison.Ordinal);

        var path = Path.Combine(_dir, "cut.age");
        // Cut inside the last chunk so that less than a tag (16 bytes) is left of it: visible without the key.
        File.WriteAllBytes(path, file[..(headerLength + 16 + (2 * 65552) + 10)]);
        Assert.Contains("truncated or has bytes appended", Assert.Single(AgeFile.CheckWithoutKey(path)), StringComparison.Ordinal);
    }

    /// <summary>The file with one base64 character of the header replaced by another (still canonical base64).</summary>
    private static byte[] Changed(byte[] file, int at)
    {
        var copy = (byte[])file.Clone();
        copy[at] = copy[at] == (byte)'A' ? (byte)'B' : (byte)'A';
        return copy;
    }

    [Fact]
    public void The_header_parser_only_ever_refuses_with_FormatException_on_fuzzed_input()
    {
        using var identity = AgeIdentity.Generate();
        var valid = Encrypt(identity.Recipient, Encoding.ASCII.GetBytes("hello"));
        var random = new Random(15);
        for (var i = 0; i < 20_000; i++)
        {
            var input = (byte[])valid.Clone();
            switch (i % 4)
            {
                case 0:
                    input[random.Next(Math.Min(input.Length, 160))] = (byte)random.Next(256);
                    break;
                case 1:
                    input = input[..random.Next(input.Length)];
                    break;
                case 2:
                    var extra = new byte[random.Next(1, 40)];
                    random.NextBytes(extra);
                    var at = random.Next(Math.Min(input.Length, 160));
                    input = [.. input[..at], .. extra, .. input[at..]];
                    break;
                default:
                    input = new byte[random.Next(200)];
                    random.NextBytes(input);
                    if (random.Next(2) == 0)
                    {
                        input = [.. "age-encryption.org/v1\n-> "u8, .. input];
                    }

                    break;
            }

            try
            {
                AgeHeader.Read(new MemoryStream(input));
            }
            catch (FormatException)
            {
            }

            try
            {
                Decrypt(identity, input);
            }
            catch (AgeDecryptionException)
            {
            }
        }
    }

    [Fact]
    public async Task A_file_we_encrypt_is_decrypted_by_debians_age_and_one_age_encrypts_is_decrypted_by_us()
    {
        using var identity = AgeIdentity.Generate();
        var key = Path.Combine(_dir, "key.txt");
        await File.WriteAllTextAsync(key, identity.Export());
        var plaintext = RandomNumberGenerator.GetBytes(140_000);
        var ours = Path.Combine(_dir, "ours.age");
        await File.WriteAllBytesAsync(ours, Encrypt(identity.Recipient, plaintext));

        var decrypted = Path.Combine(_dir, "ours.plain");
        var (code, error) = await AgeAsync("-d", "-i", key, "-o", decrypted, ours);
        Assert.True(code == 0, error);
        Assert.Equal(plaintext, await File.ReadAllBytesAsync(decrypted));

        var plain = Path.Combine(_dir, "theirs.plain");
        await File.WriteAllBytesAsync(plain, plaintext);
        var theirs = Path.Combine(_dir, "theirs.age");
        (code, error) = await AgeAsync("-r", identity.Recipient.ToString(), "-o", theirs, plain);
        Assert.True(code == 0, error);
        Assert.Equal(plaintext, Decrypt(identity, await File.ReadAllBytesAsync(theirs)));
        Assert.Empty(AgeFile.CheckWithoutKey(theirs));
    }

    /// <summary>Debian's `age` (package age; .ci/run installs it), the reference implementation's CLI.</summary>
    private static async Task<(int Code, string Error)> AgeAsync(params string[] args)
    {
        var start = new ProcessStartInfo("age") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, error);
    }
}
