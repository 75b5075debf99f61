// stalkerscan project rule. Matches DEX code, not the APK.
rule SS_YARA_006_covert_audio
{
    meta:
        id = "SS-YARA-006"
        description = "Records audio on phone-call events or as ambient (room) recording"
        severity = "medium"
        author = "stalkerscan project"
        reference = "https://developer.android.com/reference/android/media/MediaRecorder"
        scope = "dex"
    strings:
        $rec = "Landroid/media/MediaRecorder;"
        $src = "setAudioSource"
        $out = "setOutputFile"
        $call1 = "onCallStateChanged"
        $call2 = "android.intent.action.PHONE_STATE"
        $call3 = "android.intent.action.NEW_OUTGOING_CALL"
        $mode1 = "ambient" nocase
        $mode2 = "surround" nocase
        $mode3 = "call_record" nocase
    condition:
        uint32(0) == 0x0a786564 and $rec and $src and $out and any of ($call*) and any of ($mode*)
}
