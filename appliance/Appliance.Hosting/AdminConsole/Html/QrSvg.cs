using System.Globalization;
using System.Text;
using QRCoder;

namespace Appliance.Hosting.AdminConsole.Html;

/// <summary>
/// A QR code as inline SVG, for the TOTP secret a reset makes (the otpauth:// URI authenticator apps scan).
/// QRCoder (decision 0083; the CLI's terminal QR code uses it too) computes the modules; they are drawn here as one
/// path of dark runs, with presentation attributes only, so the console's Content-Security-Policy stays as strict as
/// it is (no inline style, no script, no data: image). Nothing leaves the appliance: no QR service, no CDN.
/// </summary>
internal static class QrSvg
{
    /// <summary>White border in modules around the code: the 4 that ISO/IEC 18004 asks for.</summary>
    private const int QuietZone = 4;

    public static string Render(string text, string label)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var rows = data.ModuleMatrix;
        var size = rows.Count;
        var path = new StringBuilder();
        for (var y = 0; y < size; y++)
        {
            var row = rows[y];
            for (var x = 0; x < row.Length; x++)
            {
                if (!row[x])
                {
                    continue;
                }

                var run = 1;
                while (x + run < row.Length && row[x + run])
                {
                    run++;
                }

                path.Append(CultureInfo.InvariantCulture, $"M{x} {y}h{run}v1h-{run}z");
                x += run - 1;
            }
        }

        var outer = size + (2 * QuietZone);
        return $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"-{QuietZone} -{QuietZone} {outer} {outer}\" width=\"{outer * 4}\" height=\"{outer * 4}\" " +
               $"role=\"img\" aria-label=\"{ConsoleHtml.E(label)}\" shape-rendering=\"crispEdges\">" +
               $"<rect x=\"-{QuietZone}\" y=\"-{QuietZone}\" width=\"{outer}\" height=\"{outer}\" fill=\"#ffffff\"/>" +
               $"<path d=\"{path}\" fill=\"#000000\"/></svg>";
    }
}
