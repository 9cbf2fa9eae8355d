package dev.mailroute.support;

import java.util.List;

import com.icegreen.greenmail.store.FolderException;
import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import jakarta.mail.internet.MimeMessage;

/** What one recipient received at a GreenMail relay (GreenMail files each RCPT into its own inbox). */
public final class Mailboxes {

    private Mailboxes() {
    }

    public static List<MimeMessage> of(GreenMail relay, String address) {
        GreenMailUser user = relay.getUserManager().getUserByEmail(address);
        if (user == null) {
            return List.of();
        }
        try {
            return relay.getManagers().getImapHostManager().getInbox(user).getMessages().stream()
                    .map(StoredMessage::getMimeMessage).toList();
        } catch (FolderException e) {
            throw new IllegalStateException(e);
        }
    }
}
