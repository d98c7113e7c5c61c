export { requireServerBinaries, findBinary } from './system-daemon';
export { startSshd, SSHD_BINARIES, type TestSshd } from './test-sshd';
export { startVsftpd, VSFTPD_BINARIES, type TestVsftpd } from './test-vsftpd';
export { startSamba, SAMBA_BINARIES, type TestSamba } from './test-samba';
