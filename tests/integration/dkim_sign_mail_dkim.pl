#!/usr/bin/perl
# Helper of dkim-sign.sh: verifies the RSA signatures of signed messages with Mail::DKIM (Debian
# libmail-dkim-perl, which has no Ed25519: ed25519-sha256 signatures are skipped), keys looked up
# at the NSD on 127.0.0.1:53. Each message needs at least one RSA signature and every RSA
# signature must pass. Prints a line per failing message, then "mail-dkim PASSED FAILED".
use strict;
use warnings;

use Mail::DKIM::DNS;
use Mail::DKIM::Verifier;
use Net::DNS::Resolver;

my $resolver = Net::DNS::Resolver->new(nameservers => ['127.0.0.1'], port => 53, recurse => 1,
				       udp_timeout => 5, tcp_timeout => 5, retry => 1);
Mail::DKIM::DNS::resolver($resolver);

my ($passed, $failed) = (0, 0);
for my $path (@ARGV) {
	open(my $fh, '<:raw', $path) or die "$path: $!\n";
	my $msg = do { local $/; <$fh> };
	close($fh);
	# On the wire every line ends in CRLF, the last one too (SMTP's DATA ends CRLF . CRLF): a
	# body without a final line end gains one, which changes neither canonical form (RFC 6376
	# §3.4.3, §3.4.4). Mail::DKIM 1.20230212 reading a file without it does not add the CRLF
	# that simple body canonicalization adds, and fails such messages; dkimpy and OpenDKIM
	# agree with mxguard there.
	$msg =~ s/(?<!\r)\n/\r\n/g;
	$msg .= "\r\n" unless $msg =~ /\r\n\z/;
	my $v = Mail::DKIM::Verifier->new();
	$v->PRINT($msg);
	$v->CLOSE();
	my ($rsa, $bad, @why) = (0, 0);
	for my $sig ($v->signatures) {
		next unless ($sig->algorithm // '') eq 'rsa-sha256';
		$rsa++;
		next if $sig->result eq 'pass';
		$bad++;
		push @why, $sig->result . ' ' . ($sig->result_detail // '');
	}
	if ($rsa > 0 && $bad == 0) {
		$passed++;
	} else {
		$failed++;
		my $name = $path =~ s{.*/}{}r;
		print "    # mail-dkim: $name: ", ($rsa ? join('; ', @why) : 'no rsa-sha256 signature'), "\n";
	}
}
print "mail-dkim $passed $failed\n";
