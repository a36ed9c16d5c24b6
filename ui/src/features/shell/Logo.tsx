import logoUrl from '../../assets/logo.svg';

/** The app mark (decorative: the product name is always written next to it). */
export function Logo({ size = 40 }: { size?: number }) {
  return <img className="logo" src={logoUrl} width={size} height={size} alt="" />;
}
