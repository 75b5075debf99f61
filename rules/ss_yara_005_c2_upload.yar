// stalkerscan project rule. Matches DEX code, not the APK.
rule SS_YARA_005_c2_upload
{
    meta:
        id = "SS-YARA-005"
        description = "Posts a device identifier together with several kinds of collected personal data to a server"
        severity = "high"
        author = "stalkerscan project"
        reference = "https://developer.android.com/reference/java/net/HttpURLConnection"
        scope = "dex"
    strings:
        $http1 = "Ljava/net/HttpURLConnection;"
        $http2 = "Lokhttp3/OkHttpClient;"
        $post = "POST"
        $id1 = "android_id"
        $id2 = "getDeviceId"
        $id3 = "getSubscriberId"
        $d1 = "keylog" nocase
        $d2 = "call_log"
        $d3 = "notification_log"
        $d4 = "location_history"
        $d5 = "sync_sms"
        $d6 = "screenshot" nocase
        $d7 = "ambient_recording"
        $d8 = "browser_history"
    condition:
        uint32(0) == 0x0a786564 and any of ($http*) and $post and any of ($id*) and 3 of ($d*)
}
