// stalkerscan project rule. Matches DEX code, not the APK.
rule SS_YARA_003_sms_calllog_exfiltration
{
    meta:
        id = "SS-YARA-003"
        description = "Reads both the SMS store and the call log and has code to send data out over HTTP"
        severity = "high"
        author = "stalkerscan project"
        reference = "https://developer.android.com/reference/android/provider/CallLog.Calls"
        scope = "dex"
    strings:
        $sms = "content://sms"
        $calls = "content://call_log"
        $net1 = "Ljava/net/HttpURLConnection;"
        $net2 = "Lokhttp3/OkHttpClient;"
        $net3 = "Lorg/apache/http/client/methods/HttpPost;"
        $up1 = "multipart/form-data"
        $up2 = "/upload"
        $up3 = "/gate.php"
        $up4 = "sync_sms"
        $up5 = "sms_log"
    condition:
        uint32(0) == 0x0a786564 and $sms and $calls and any of ($net*) and 2 of ($up*)
}
