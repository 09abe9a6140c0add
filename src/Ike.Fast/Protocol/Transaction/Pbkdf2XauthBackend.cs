using System.Security.Cryptography;
using System.Text;

namespace Ike.Fast.Protocol.Transaction;

/// <summary>
/// XAUTH users from lines <c>user:salt:hash</c> (salt and hash in hex; hash = PBKDF2-HMAC-SHA256(password, salt,
/// <see cref="Iterations"/>, 32 bytes)). Passwords are never stored; comparison is constant-time. Blank lines and
/// lines starting with '#' are ignored.
/// </summary>
public sealed class Pbkdf2XauthBackend : IXauthBackend
{
    /// <summary>PBKDF2 iterations of the file format.</summary>
    public const int Iterations = 100_000;

    private const int HashLength = 32;
    private readonly Dictionary<string, (byte[] Salt, byte[] Hash)> _users = new(StringComparer.Ordinal);

    /// <summary>Parses the file's lines; throws <see cref="FormatException"/> on a malformed line (a config error).</summary>
    public Pbkdf2XauthBackend(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        int number = 0;
        foreach (string raw in lines)
        {
            number++;
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string[] parts = line.Split(':');
            if (parts.Length != 3 || parts[0].Length == 0)
            {
                throw new FormatException($"line {number}: expected user:salt:hash");
            }

            byte[] hash = Convert.FromHexString(parts[2]);
            if (hash.Length != HashLength)
            {
                throw new FormatException($"line {number}: the hash must be {HashLength} bytes of hex");
            }

            _users[parts[0]] = (Convert.FromHexString(parts[1]), hash);
        }
    }

    /// <summary>Reads a users file.</summary>
    public static Pbkdf2XauthBackend Load(string path) => new(File.ReadAllLines(path));

    /// <summary>A file line for <paramref name="user"/> with a fresh random salt.</summary>
    public static string CreateLine(string user, string password)
    {
        byte[] salt = RandomNumberGenerator.GetBytes(16);
        byte[] hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, HashLength);
        return $"{user}:{Convert.ToHexStringLower(salt)}:{Convert.ToHexStringLower(hash)}";
    }

    /// <inheritdoc/>
    public bool Verify(string connection, string user, ReadOnlySpan<byte> password)
    {
        if (!_users.TryGetValue(user, out (byte[] Salt, byte[] Hash) entry))
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[HashLength];
        Rfc2898DeriveBytes.Pbkdf2(password, entry.Salt, hash, Iterations, HashAlgorithmName.SHA256);
        bool ok = CryptographicOperations.FixedTimeEquals(hash, entry.Hash);
        CryptographicOperations.ZeroMemory(hash);
        return ok;
    }
}
