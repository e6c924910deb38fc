using System.Security.Cryptography;
using System.Text;

namespace Appliance.Hosting.Policy;

internal static class PolicyText
{
    /// <summary>The same digest PolicyStore records, so a text can be matched against stored versions.</summary>
    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
