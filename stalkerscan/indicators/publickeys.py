"""Certificates and hosts that must never count as a match on their own.

Public signing keys: anyone can sign an APK with them, so an app signed with one tells nothing
about who made it. The Echap feed lists the AOSP test key on 50 sample rows across 9 families;
a phone with an app signed by that key alone must not be told it has stalkerware.

Both digests of the AOSP test key were checked against the certificate
`build/target/product/security/testkey.x509.pem` of AOSP (SHA-1 61ED…AF81 is the one the feed
lists; the SHA-256 was computed from the same DER bytes). To add a key, add both digests of the
certificate (`openssl x509 -in KEY.x509.pem -noout -fingerprint -sha1` and `-sha256`).
"""

from __future__ import annotations

_AOSP_TESTKEY = (
    "AOSP test key (build/target/product/security/testkey): public, anyone can sign with it"
)

# Normalised digest (upper-case hex, no separators) -> why it never counts alone.
PUBLIC_CERTIFICATES: dict[str, str] = {
    "61ED377E85D386A8DFEE6B864BD85B0BFAA5AF81": _AOSP_TESTKEY,
    "A40DA80A59D170CAA950CF15C18C454D47A39B26989D8B640ECD745BA71BF5DC": _AOSP_TESTKEY,
}

# Shared hosting and cloud parents: a stalkerware vendor's project under one of these
# (`x.firebaseio.com`) is an indicator, but the parent itself (`firebaseio.com`) is used by
# millions of apps, so a listed parent is matched only exactly, never as a suffix of a host.
SHARED_PARENTS: frozenset[str] = frozenset(
    {
        "firebaseio.com",
        "firebaseapp.com",
        "firebasestorage.app",
        "web.app",
        "appspot.com",
        "googleapis.com",
        "storage.googleapis.com",
        "cloudfunctions.net",
        "run.app",
        "googleusercontent.com",
        "apps.googleusercontent.com",
        "amazonaws.com",
        "s3.amazonaws.com",
        "cloudfront.net",
        "elasticbeanstalk.com",
        "azurewebsites.net",
        "blob.core.windows.net",
        "cloudapp.net",
        "trafficmanager.net",
        "herokuapp.com",
        "herokudns.com",
        "github.io",
        "githubusercontent.com",
        "gitlab.io",
        "netlify.app",
        "vercel.app",
        "pages.dev",
        "workers.dev",
        "ngrok.io",
        "ngrok-free.app",
        "000webhostapp.com",
        "blogspot.com",
        "wordpress.com",
        "wixsite.com",
        "weebly.com",
        "duckdns.org",
        "ddns.net",
        "no-ip.org",
        "no-ip.com",
        "hopto.org",
        "myftp.org",
        "onrender.com",
        "glitch.me",
        "repl.co",
        "fly.dev",
        "digitaloceanspaces.com",
        "backblazeb2.com",
        "myqcloud.com",
        "aliyuncs.com",
        "appjiagu.com",
    }
)
