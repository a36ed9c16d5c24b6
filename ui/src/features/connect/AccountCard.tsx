// Who is connected: avatar (Calendly's picture, or initials), name, email and time zone.

import { useState } from 'react';
import type { AccountView } from '../../ipc';
import { initials } from '../../lib/labels';

/**
 * The account's picture when it is an inline data: image, otherwise the initials. The CSP allows no
 * remote origin, so a Calendly avatar URL is never fetched by the window.
 */
export function Avatar({ account, size = 'large' }: { account: AccountView; size?: 'small' | 'normal' | 'large' }) {
  const [broken, setBroken] = useState(false);
  const src = account.avatarUrl;
  const usable = !!src && !broken && src.startsWith('data:image/');
  const cls = `avatar${size === 'normal' ? '' : ` avatar-${size}`}`;
  if (usable) {
    return (
      <img
        className={`${cls} avatar-img`}
        data-testid="account-avatar"
        src={src}
        alt=""
        referrerPolicy="no-referrer"
        onError={() => setBroken(true)}
      />
    );
  }
  return (
    <span className={cls} data-testid="account-initials" aria-hidden="true">
      {initials(account.name, account.email)}
    </span>
  );
}

export function AccountCard({ account, children }: { account: AccountView; children?: React.ReactNode }) {
  return (
    <div className="account-card" data-testid="connected-account">
      <Avatar account={account} />
      <div className="account-card-text">
        <strong data-testid="account-name">{account.name}</strong>
        <span className="selectable" data-testid="account-email">
          {account.email}
        </span>
        <span className="muted" data-testid="account-timezone">
          {account.timezone ? `Time zone: ${account.timezone.replace(/_/g, ' ')}` : 'No time zone set in Calendly'}
        </span>
      </div>
      {children}
    </div>
  );
}
